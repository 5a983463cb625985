"""One module per command; each function turns options into one call and hands the result to output."""
