"""``python -m smartcar.hbase --host H --port P --data-dir D --transport T --protocol P``."""

import typer

from smartcar.hbase.cli import serve

if __name__ == "__main__":
    typer.run(serve)
