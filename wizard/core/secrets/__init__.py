"""Secrets: sealing primitives, the seal engine, the sealing/SOPS command scripts, dotenv parsing."""
