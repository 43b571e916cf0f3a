"""requests.Session: what most Python code uses; one pooled keep-alive connection."""
import sys

import requests

from py_common import GRAPHQL_PATH, LOGIN, LOGIN_PATH, QUERY, args, measure

a = args()
s = requests.Session()
# Per request, not s.verify: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override s.verify.
verify = a.ca_file or True
token = s.post(a.url + LOGIN_PATH, json=LOGIN, verify=verify).json()["access_token"]
s.headers["Authorization"] = f"Bearer {token}"
s.headers["Accept"] = "application/json"
url = a.url + GRAPHQL_PATH
payload = {"query": QUERY}


def call():
    r = s.post(url, json=payload, verify=verify)
    return r.status_code == 200 and "data" in r.json()


sys.exit(measure("py-requests", a.n, call))
