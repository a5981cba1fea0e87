"""The build layer: from the run matrix to the published book: the matrix read and checked
(`matrix`, `parameters`, `paths`, `timeouts`), runs executed where they fit (`execution`,
`schedule`) and made into pages (`postprocess`, `analysis`), kept by content (`cache`), the book
assembled and published (`assembly`), one build at a time (`lock`), all in order (`runner`)."""
