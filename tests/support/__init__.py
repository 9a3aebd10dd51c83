"""Real collaborators for the tests: a local S3 server over HTTP and a real redis-server."""
