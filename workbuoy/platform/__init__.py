"""Every OS-specific primitive of WorkBuoy, behind one interface; nothing else names an OS.

``current`` is the module of the running OS (``linux``, ``darwin`` or ``win32``; the
two POSIX ones share ``posix``). Each module defines the same names, so ``mypy
--platform <os>`` checks every one of them on any machine:

- ``lock_file(fd) -> bool`` / ``unlock_file(fd)``: a non-blocking exclusive lock
  held until the descriptor is closed (the single-instance lock);
- ``die_with_parent()``: in a child, arrange to stop when the supervisor dies;
- ``spawn_options()`` / ``adopt(proc)`` / ``signal_group(proc, force)``: start a
  child in its own process group, tie it to the supervisor, stop that whole group;
- ``user_tag()``: a short name of the current user for per-user folder names;
- ``make_private(path)`` / ``check_private(path)``: a folder or file only the
  current user may open (POSIX modes; a Windows ACL);
- ``scrub_native_environ(name)``: wipe an environment variable's value where other
  processes of the user can read it (``/proc/<pid>/environ``);
- ``FORK_ACTORS`` / ``become_subreaper()``: whether actors may be forked from the zygote
  (Linux), and making the supervisor the parent of what the zygote forks;
- ``release_free_memory()``: give the C heap's free pages back after a burst (glibc's ``malloc_trim``);
- ``STOP_SIGNALS`` (the supervisor's) and ``on_stop_signal(loop, stop)`` (an actor's);
- ``BUS_TRANSPORT`` (``"ipc"`` or ``"tcp"``), ``PEER_CREDENTIALS`` (whether ZAP sees
  a peer's uid and pid; where not, the bus uses CURVE), ``MAX_SOCKET_PATH``, ``MAX_PATH``;
- ``TRAY_MESSAGE_MARKUP``: whether a tray notification's text is read as HTML (and must be escaped);
- ``autostart_enable(argv)`` / ``autostart_disable()`` / ``autostart_enabled()``;
- ``exchange_paths(a, b) -> bool``: swap two paths atomically where the OS can (the update's folder swap).
"""

from __future__ import annotations

import sys

if sys.platform == "win32":
    from workbuoy.platform import win32 as current
elif sys.platform == "darwin":
    from workbuoy.platform import darwin as current
else:
    from workbuoy.platform import linux as current

__all__ = ["current"]
