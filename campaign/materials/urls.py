"""Public URLs of the materials app, outside the language prefix: they are printed on
paper or sent in messages, and must not change with the reader's language."""

from django.urls import path

from . import views

app_name = "materials"
urlpatterns = [
    path("q/<str:code>", views.qr_redirect, name="qr"),
    path("materi/panduan/<int:guide_id>/<str:kind>-<str:size>.pdf", views.guide_print, name="guide_print"),
    path("materi/panduan-instansi/<str:token>/", views.guide_download, name="guide_download"),
    path(
        "materi/panduan-instansi/<str:token>/<str:size>.pdf",
        views.guide_download_pdf,
        name="guide_download_pdf",
    ),
    path("materi/pers/<str:token>/", views.press_preview, name="press_preview"),
    path("materi/pers/<str:token>/<int:page_id>/", views.press_preview_release, name="press_preview_release"),
    path(
        "materi/pers/<str:token>/<int:page_id>/semua.zip",
        views.press_preview_zip,
        name="press_preview_zip",
    ),
    path(
        "materi/pers/<str:token>/<int:page_id>/dokumen/<int:document_id>/",
        views.press_preview_document,
        name="press_preview_document",
    ),
    path("materi/pers/<str:token>/media/<path:path>", views.press_preview_media, name="press_preview_media"),
    path("materi/siaran-pers/<int:page_id>/semua.zip", views.release_zip, name="release_zip"),
    path("materi/media/<int:item_id>/<str:size>/", views.media_download, name="media_download"),
]
