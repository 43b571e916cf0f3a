"""http.client: one HTTP(S)Connection, kept alive; the standard library's lowest level."""
import http.client
import json
import ssl
import sys
from urllib.parse import urlsplit

from py_common import GRAPHQL_PATH, LOGIN, LOGIN_PATH, QUERY, args, measure

a = args()
u = urlsplit(a.url)
if u.scheme == "https":
    ctx = ssl.create_default_context(cafile=a.ca_file)
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx)
else:
    conn = http.client.HTTPConnection(u.hostname, u.port)

conn.request("POST", LOGIN_PATH, json.dumps(LOGIN), {"Content-Type": "application/json"})
r = conn.getresponse()
token = json.loads(r.read())["access_token"]
headers = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "Authorization": f"Bearer {token}",
}
body = json.dumps({"query": QUERY})


def call():
    conn.request("POST", GRAPHQL_PATH, body, headers)
    resp = conn.getresponse()
    envelope = json.loads(resp.read())
    return resp.status == 200 and "data" in envelope


sys.exit(measure("py-http.client", a.n, call))
