// SQLite's C interface from the system (Debian: libsqlite3-dev; macOS: the SDK).
#include <sqlite3.h>
