import os; import helpers

VALUE = helpers.load()
SEP = os.sep
