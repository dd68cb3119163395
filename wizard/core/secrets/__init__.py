"""Secrets: sealing primitives (sealing, sealed_file, identity), the sealing/SOPS command scripts, dotenv parsing."""
