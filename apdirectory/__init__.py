"""Build the Alternative Provision Directory: content files in, accessible static site out."""
