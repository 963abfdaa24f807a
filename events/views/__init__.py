"""HTTP views of the events app: parse, call a selector or service, serialize."""
