"""The moderation engine (issue 4). So far: the text normalisation every signal will match against."""
