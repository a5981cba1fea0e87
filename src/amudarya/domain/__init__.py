"""The domain layer: what a chapter says, computed from the loaded tables as DataFrames, facts
and words (`trade`, `policy`, `timeline`, `disputes`, `words`, ...). It imports only `data`."""
