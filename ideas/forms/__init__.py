"""Forms of the idea box (ideas.py), challenges (challenges.py) and creativity sessions
(sessions.py)."""
