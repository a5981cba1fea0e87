"""The data layer: read and validate the data package (`tables`, typed by `casting`), say what is
wrong in words a person editing the CSV files can act on (`validation` and its passes
`structure`, `schemacheck`, `rules`, `textcheck`; `kinds`, `wording`, `errors`), and record what a
run read (`depfile`) under content keys (`keys`). It imports no other layer."""
