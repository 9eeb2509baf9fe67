"""Documents from the resources-and-templates volume, tailored to the organization."""
