"""The people side of the product (issue 19, ADR 016): password reset, institution
registration with approval, invitations, members, the admin pages for institutions and people,
bulk import. Models stay in ``institutions.models``; reads and the access policy are in
``people.queries``, writes in ``people.services``."""
