"""Contains endpoint functions for accessing the API

TASK_ENDPOINTS: every task endpoint of this package (a JSON request model whose answer links
to the task query), as plain literals: function module (the operation id in snake case),
path, summary, description, request model class and module, and each request field's JSON
name and description.
"""

TASK_ENDPOINTS = ()
