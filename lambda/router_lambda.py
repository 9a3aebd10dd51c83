"""AWS Lambda entry point of the router behind a Function URL (payload v2 events; API Gateway's work too).

apig-wsgi turns each event into a WSGI request for the one app factory and the answer back into the
Function URL's shape (binary bodies base64-encoded, Set-Cookie as `cookies`). The client is the event's
`requestContext.http.sourceIp` (REMOTE_ADDR). Settings are the function's THUMBROUTER_* environment, with
secrets read by load_settings from the parameters they name (router.secrets); a wrong value fails the cold
start with ConfigError naming the variable. Requests are counted as EMF lines on stdout (router.emf), the first with
the init time.
"""

import time

INIT_STARTED = time.perf_counter()  # before the imports: they are most of a cold start

import sys  # noqa: E402

from apig_wsgi import make_lambda_handler  # noqa: E402

from thumbrouter.router import create_app, init_emf  # noqa: E402

APP = create_app()  # the function's environment, secrets read in by load_settings
init_emf(APP, sys.stdout).cold_start(time.perf_counter() - INIT_STARTED)
handler = make_lambda_handler(APP, binary_support=True)
