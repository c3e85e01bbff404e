//! A session with a server and the operations every front end shares.
