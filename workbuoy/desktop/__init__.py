"""Linux desktop integration: the freedesktop entry, the ``workbuoy:`` scheme handler,
the hicolor icon and the autostart entry (``workbuoy install-desktop``)."""
