"""Views: turn services' plain data into the HTML texts and buttons a member sees, through bot.i18n."""
