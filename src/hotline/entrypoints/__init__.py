"""What drives hotline: the CLI, the worker, the JSON API and workbench, Open311."""
