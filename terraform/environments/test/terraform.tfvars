# The artifact's platform: `thumbrouter deploy test ...` reads these to build the matching zip
# (unless --python/--arch are given) and passes them on. Set "arm64" here to move test to Graviton.
lambda_python       = "3.12"
lambda_architecture = "x86_64"
