"""National standards as code: tables as data, small pure functions, each citing its clause."""
