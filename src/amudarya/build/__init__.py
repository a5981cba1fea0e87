"""The build layer: from the run matrix to the published book: parameters and paths checked
(`runner`, `paths`, `timeouts`), runs executed where they fit (`schedule`), kept by content
(`cache`), one build at a time (`lock`), authored analysis merged (`analysis`)."""
