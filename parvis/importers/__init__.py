"""Importing comment history from WordPress, Disqus, Isso and Parvis itself, and exporting it again."""
