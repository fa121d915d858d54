"""Flows of the idea box (ideas.py: submit, support, comment, triage, merge, accept into a
project), challenges (challenges.py) and creativity sessions (sessions.py: requests and
sessions). Import the module."""
