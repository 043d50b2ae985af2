"""Comments (意见) and attachments on instances and their tasks (issue 15, point 4; docs/design.md).

Who reads them is who reads the instance (service/usecases/instances.py ``require_reader``): the staff of
the departments holding a task of it (and the sub-bureau its campaigns'), auditors and designers, never
anyone about their own officer record. Who adds them is the staff among those readers: auditors and
designers read only. A file is attached at a task by the task's own department while it is open; a user
task may require one before it completes (``requiresAttachment``, workflows/extensions.py).
"""
