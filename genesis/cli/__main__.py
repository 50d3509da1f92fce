"""python -m genesis.cli"""

from genesis.cli.app import app

app(prog_name="genesis")
