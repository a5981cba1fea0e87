"""The data layer: read and validate the data package (`tables`), say what is wrong in words a
person editing the CSV files can act on (`validation`, `rules`, `textcheck`, `errors`), and record
what a run read (`depfile`) under content keys (`keys`). It imports no other layer."""
