"""The demo data set: stations in Hubei, Guizhou, Anhui and Shandong, their needs and a few hundred volunteers."""
