"""The render layer: what reaches a page (`plots`, `regionmap`, `publish`, `bounds`), the Sphinx
extensions (`sphinx_lean`, `sphinx_escape`, `bibliography`, `edition`), Jupyter Book in a process
of its own (`jupyterbook`) and the PDF edition (`pdf`). It imports only `domain` and `data`."""
