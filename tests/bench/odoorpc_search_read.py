#!/usr/bin/python3
"""The same search_read as `odoosync search-read product.product --limit N --json`, through Debian's
python3-odoorpc (the most used Python Odoo client), for docs/benchmarks.md. Connection from ODOO_*."""
import json
import os
import sys
from urllib.parse import urlparse

import odoorpc

limit = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
fields = sys.argv[2].split(",") if len(sys.argv) > 2 else ["name", "default_code", "list_price"]
url = urlparse(os.environ["ODOO_URL"])
odoo = odoorpc.ODOO(url.hostname, protocol="jsonrpc", port=url.port or 80)
# odoorpc logs in through /web/session/authenticate, which refuses API keys: it needs the password.
odoo.login(os.environ["ODOO_DB"], os.environ["ODOO_USER"], os.environ["ODOO_PASSWORD"])
rows = odoo.env["product.product"].search_read([], fields, limit=limit, order="id asc")
json.dump(rows, sys.stdout)
print()
print(len(rows), file=sys.stderr)
