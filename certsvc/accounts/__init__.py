"""People and machines that act on certificates: holders, issuing-body staff, API tokens, and the
reissue requests and notifications that connect them."""
