"""The resources behind the client: ``client.agents``, ``client.workflows`` and below."""
