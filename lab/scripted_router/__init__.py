"""The lab's scripted routers (see lab/scripted-router.py and lab/README.md)."""
