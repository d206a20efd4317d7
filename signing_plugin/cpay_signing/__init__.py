"""C-Pay request signing (section 16), an httpx auth that signs every request, and webhook verification."""
