"""The HTTP service and the labelling tool (`winnow.serve`)."""
