"""Views of the evaluation app: thin -- fetch through queries, validate with a form, call a
service, render."""
