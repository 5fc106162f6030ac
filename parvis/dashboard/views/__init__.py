"""The moderation dashboard's pages: the queue (queue.py), the decisions taken from it (decide.py), signing in
(signin.py) and one's own account (account.py)."""
