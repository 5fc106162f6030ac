"""The moderation dashboard's pages: the queue (queue.py) and the decisions taken from it (decide.py)."""
