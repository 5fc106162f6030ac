"""Every change to comments goes through one function here: checks, write, counters, in one transaction."""
