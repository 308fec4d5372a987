"""The synchronous resources: thin shells over the endpoint builders."""
