"""The one error the backup commands raise: its message is Chinese, then English."""


class BackupError(Exception):
    """A backup or restore that cannot go on; nothing was changed unless the message says otherwise."""
