"""``python -m hotline`` is the ``hotline`` command."""

from hotline.entrypoints.cli import main

main()
