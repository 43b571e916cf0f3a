"""Our Python binding: Client.graphql returns the parsed envelope."""
import sys

from realm_client import Client

from py_common import APP_ID, QUERY, args, measure

a = args()
client = Client(APP_ID, base_url=a.url, ca_file=a.ca_file)
client.login_email_password("demo@example.com", "demo-password")


def call():
    return "data" in client.graphql(QUERY)


code = measure("py-realm", a.n, call)
client.close()
sys.exit(code)
