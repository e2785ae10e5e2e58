"""Validates Jupyter notebooks with nbformat and executes them with nbclient in a real
Python kernel. Usage: python3 scripts/check-notebook.py NOTEBOOK... [--write]
With --write, each executed notebook is saved over its input (for notebooks-export/)."""
import sys
import time

import nbformat
from nbclient import NotebookClient


def main(arguments):
    write = "--write" in arguments
    paths = [a for a in arguments if a != "--write"]
    failures = 0
    for path in paths:
        start = time.time()
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        # No timing metadata: a re-executed notebook differs only where its results do.
        client = NotebookClient(notebook, timeout=300, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": "."}})
        try:
            client.execute()
        except Exception as error:  # a cell raised: report it and go on with the others
            failures += 1
            print(f"check-notebook: {path}: FAILED\n{error}", file=sys.stderr)
            continue
        nbformat.validate(notebook)
        if write:
            nbformat.write(notebook, path)
        print(f"check-notebook: {path}: valid, executed in {time.time() - start:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
