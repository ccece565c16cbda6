"""Learners: policies and the training loops that update them. Import the submodule you need."""
