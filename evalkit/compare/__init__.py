"""Comparing an execution's output with what is expected. Imports nothing else of evalkit."""
