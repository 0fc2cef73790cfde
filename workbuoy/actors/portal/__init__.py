"""The portal actor: the portal web app in a Qt WebEngine window, in a process of its own."""
