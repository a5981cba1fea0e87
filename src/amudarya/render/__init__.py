"""The render layer: what reaches a page (the charts: `chart` and one module per family of
charts, `bars`, `periods`, `stance`, `timeline_chart`, `regionmap`; `publish`, `bounds`), the
Sphinx extensions (`sphinx_lean` with `lean_pages` and `lean_css`, `sphinx_escape`,
`bibliography`, `edition`), Jupyter Book in a process of its own (`jupyterbook`) and the PDF
edition (`pdf`). It imports only `domain` and `data`."""

# The output metadata key under which `publish` puts a chart's alt text and title; the build
# (`build.postprocess`) moves the alt text into the cell's metadata, the only place myst-nb takes it from.
# Here, not in `publish`, so that the build reads it without importing matplotlib.
ALT_KEY = "amudarya"
